"""The identifier scanner the whole-run tests rely on: it must find an id wherever a person would
read it as one, and not in the digits of a decimal number (an SVG coordinate)."""

from __future__ import annotations

from tests.identifiers import scan


def test_an_id_is_found_as_a_word_and_not_inside_a_decimal_number(tmp_path):
    ids = {"id": {"959448"}}
    cases = {
        "alone.txt": ("child 959448 was looked after", True),
        "sentence.txt": ("the child was 959448.", True),
        "csv.csv": ("959448,LA1\n", True),
        "coordinate.svg": ('<path d="M 123.959448 40.5"/>', False),
        "whole_part.svg": ('<path d="M 959448.25 40"/>', False),
        "longer.txt": ("9594481 and A959448", False),
    }
    for name, (text, _) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    found = {hit.split(":", 1)[0].rsplit("/", 1)[-1] for hit in scan(tmp_path, ids)}
    assert found == {name for name, (_, hit) in cases.items() if hit}
