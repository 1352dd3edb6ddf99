"""What each command shows, as data: one library function per command with a typed result."""
