"""The one door to git (GitPython): logs, blobs, commits, tags, and turning what a user typed
into a commit."""
