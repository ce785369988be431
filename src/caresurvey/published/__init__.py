"""Published tables as data, and checks of their internal consistency."""
