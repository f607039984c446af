package golden

import "testing"

func TestLineDiff(t *testing.T) {
	tests := []struct{ name, want, got, diff string }{
		{"same", "a\nb\n", "a\nb\n", ""},
		{"changed, added", "a\nb\nc\n", "a\nB\nc\nd\n", "-    2 | b\n+    2 | B\n+    4 | d\n"},
		{"removed in the middle", "a\nb\nc\nd\n", "a\nd\n", "-    2 | b\n-    3 | c\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LineDiff(tt.want, tt.got); got != tt.diff {
				t.Errorf("LineDiff:\ngot\n%s\nwant\n%s", got, tt.diff)
			}
		})
	}
}
