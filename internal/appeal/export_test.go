package appeal

// SetRebuildSpan makes Rebuild read n appeal ids at a time, until restore
// is called.
func SetRebuildSpan(n int64) (restore func()) {
	old := rebuildSpan
	rebuildSpan = n
	return func() { rebuildSpan = old }
}
