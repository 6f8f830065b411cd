// Package problem describes what is wrong in a file staff or translators edit:
// the file, the line and the field, so that every mistake can be found.
package problem

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong in a content or locale file, precise enough for
// staff to find it: the file, the line and the field.
type Problem struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Field != "" {
		b.WriteString(": ")
		b.WriteString(p.Field)
	}
	b.WriteString(": ")
	b.WriteString(p.Msg)
	return b.String()
}

// List is a list of problems; a non-empty list is an error.
type List []Problem

func (ps List) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Err returns ps as an error, or nil when there is no problem.
func (ps List) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}
