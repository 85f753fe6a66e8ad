"""Use cases, one function per verb. The only place a unit of work commits."""
