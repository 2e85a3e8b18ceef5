package app_test

import (
	"os"
	"testing"

	"xiaoer/internal/app/apptest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	apptest.Cleanup()
	os.Exit(code)
}
