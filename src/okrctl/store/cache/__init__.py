"""What okrctl keeps under `.git/okrctl/` between runs (parsed units, the history index, the
settings), each keyed by what it was made of, so a stale entry is never used."""
