package store

import (
	"reflect"
	"testing"
)

// A private chat's record reads back what was written, including a state
// the release before stored alone, updates done out of order, and nothing.
func TestRecordRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		name  string
		value string
		want  record
	}{
		{"nothing stored", "", record{}},
		{"a state the release before wrote", `{"l":"fa"}`, record{state: `{"l":"fa"}`}},
		{"done updates as differences", "900000001.29333333,2.0,5.1\n3.1733130060000\n{\"f\":\"main.Ab12Cd\"}",
			record{done: []doneUpdate{{900000001, 29333333}, {900000003, 29333333}, {900000008, 29333334}}, flood: "3.1733130060000", state: `{"f":"main.Ab12Cd"}`}},
		{"an older update done after a newer one", "10.100,-3.2\n\n", record{done: []doneUpdate{{10, 100}, {7, 102}}}},
		{"only a flood count", "\n1.1733130060000\n", record{flood: "1.1733130060000"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRecord(tt.value)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("parseRecord(%q) = %+v, want %+v", tt.value, got, tt.want)
			}
			if tt.value != "" && tt.value[0] != '{' && got.String() != tt.value {
				t.Errorf("written again as %q, want %q", got.String(), tt.value)
			}
		})
	}
}

// A damaged record is an error that says what is wrong, never a state read
// from the wrong line.
func TestDamagedRecord(t *testing.T) {
	for _, v := range []string{"1.2", "1.2\n3", "x.1\n\n", "1\n\n{}"} {
		if r, err := parseRecord(v); err == nil {
			t.Errorf("parseRecord(%q) = %+v, want an error", v, r)
		}
	}
}
