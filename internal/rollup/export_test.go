package rollup

// SetFlushAt makes Add flush after n buffered rows, until restore is called.
func SetFlushAt(n int) (restore func()) {
	old := flushAt
	flushAt = n
	return func() { flushAt = old }
}
