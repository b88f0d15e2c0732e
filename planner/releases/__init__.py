"""Released programme versions: snapshots, approval, what changed."""
