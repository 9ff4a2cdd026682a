package disk

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
)

func TestFree(t *testing.T) {
	tests := []struct {
		name    string
		dir     string
		wantErr error
	}{
		{"temp dir", t.TempDir(), nil},
		{"missing", filepath.Join(t.TempDir(), "nope"), syscall.ENOENT},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Free(tt.dir)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Free(%s) = %d, %v; want error %v", tt.dir, b, err, tt.wantErr)
			}
			if err == nil && b == 0 {
				t.Errorf("Free(%s) = 0 on a file system tests write to", tt.dir)
			}
		})
	}
}
