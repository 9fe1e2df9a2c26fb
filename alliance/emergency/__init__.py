"""Emergency mode (平急转换): one switch turns the same roster into the flood-season organisation."""
