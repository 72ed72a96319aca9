"""The record: git as the store (objects, refs, compare-and-swap), commit messages and their
trailers, signatures, the transports wgtool allows, the settings and roster files, and the
rulebook that judges every commit and tag by who made it and what it did."""
