"""What a draft changes: two setup documents compared leaf by leaf, as (path, before, after)."""

_MISSING = "(not set)"


def _leaves(value, path: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        found = {}
        for key, child in value.items():
            found.update(_leaves(child, f"{path}.{key}" if path else str(key)))
        return found or {path: {}}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        found = {}
        for i, child in enumerate(value):
            found.update(_leaves(child, f"{path}[{i}]"))
        return found
    return {path: value}


def document_diff(before: dict, after: dict) -> list[list]:
    """Return [path, before, after] for every leaf that differs, in the after document's order."""
    old, new = _leaves(before), _leaves(after)
    changes = [
        [path, old.get(path, _MISSING), value] for path, value in new.items() if old.get(path) != value
    ]
    changes += [[path, value, _MISSING] for path, value in old.items() if path not in new]
    return [c for c in changes if not (c[1] == _MISSING and c[2] is None)]
