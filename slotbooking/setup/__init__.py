"""A retailer's setup as one document (JSON or YAML): read, checked, imported in one transaction, exported."""
