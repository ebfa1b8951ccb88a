"""`make bench`: figures with a baseline measured in the same run, one JSON line each."""
