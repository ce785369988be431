"""caresurvey: reproducible studies of care planning for looked-after children in England."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("caresurvey")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0+unknown"

__all__ = ["__version__"]
