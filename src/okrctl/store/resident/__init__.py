"""`okrctl serve`: a process that keeps okrctl imported and its caches read, and runs the
commands that only read (`check`, `status`, `report`, `show`) for the `okrctl` typed next
(docs/behaviour.md, "A resident server"). The client side imports nothing but the standard
library: a command the server runs costs its caller a bare interpreter and a socket."""
