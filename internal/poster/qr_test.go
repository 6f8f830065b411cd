package poster

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
)

func TestLink(t *testing.T) {
	for _, tt := range []struct {
		bot, payload, want, err string
	}{
		{"marl_bot", "e_sample-cafe", "https://t.me/marl_bot?start=e_sample-cafe", ""},
		{"@marl_bot", "e_sample-cafe_tr", "https://t.me/marl_bot?start=e_sample-cafe_tr", ""},
		{"", "e_x", "", "username"},
		{"b", "e_" + strings.Repeat("x", 63), "", "64 characters"},
		{"b", "e_caf é", "", "64 characters"},
	} {
		got, err := Link(tt.bot, tt.payload)
		if got != tt.want || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
			t.Errorf("Link(%q, %q) = %q, %v; want %q, %q", tt.bot, tt.payload, got, err, tt.want, tt.err)
		}
	}
}

// The picture is a PNG square large enough to print.
func TestPNG(t *testing.T) {
	data, err := PNG("https://t.me/marl_bot?start=e_sample-cafe")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 300 || b.Dx() != b.Dy() {
		t.Errorf("a %dx%d image; want a square large enough to print", b.Dx(), b.Dy())
	}
}
