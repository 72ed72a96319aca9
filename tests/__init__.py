"""wgtool's test suite (a package, so that ``tests.*`` always means this folder)."""
