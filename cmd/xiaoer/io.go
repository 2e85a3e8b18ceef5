package main

import (
	"io"
	"os"
)

// stdin returns the standard input for commands that read a password.
func (e *env) stdin() (io.Reader, bool) {
	if e.in != nil {
		return e.in, true
	}
	return os.Stdin, true
}
