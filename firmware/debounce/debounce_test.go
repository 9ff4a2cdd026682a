package debounce_test

import (
	"testing"

	"fairrec/firmware/debounce"
)

func TestInput(t *testing.T) {
	tests := []struct {
		name     string
		need     int
		readings string // 1 active, 0 idle
		want     string // the confirmed level after each reading
		changes  int
	}{
		{"a press held long enough", 3, "0111110", "0001111", 1},
		{"bounce is ignored", 3, "1101101100", "0000000000", 0},
		{"press then release", 2, "1100011", "0110001", 3},
		{"need 0 acts as 1", 0, "1010", "1010", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := debounce.Input{Need: tt.need}
			var got []byte
			changes := 0
			for _, r := range tt.readings {
				if d.Update(r == '1') {
					changes++
				}
				if d.Active {
					got = append(got, '1')
				} else {
					got = append(got, '0')
				}
			}
			if string(got) != tt.want || changes != tt.changes {
				t.Errorf("readings %s: levels %s with %d changes, want %s with %d", tt.readings, got, changes, tt.want, tt.changes)
			}
		})
	}
}
