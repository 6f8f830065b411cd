package conversation

import (
	"strings"

	"github.com/integrationsagentur-marl/integrabot/internal/problem"
)

// Reloaded is what came of checking and loading the content folder again.
type Reloaded struct {
	// Problems: the folder is broken and the content in use stays; each
	// with file, line and field. None: the folder was loaded.
	Problems []problem.Problem
	Warnings []problem.Problem // worth fixing, but the content works
	// Unavailable: nothing was tried (this bot cannot reload from here).
	Unavailable bool
	// What the content holds now, when it was loaded.
	Services, Contacts, Encounters int
}

// ReloadReport tells staff (a staff member who pressed the button, or the
// staff group after a reload by signal) what came of a reload, in lang:
// every problem with its file, line and field, or what was loaded.
func (c *Core) ReloadReport(chat int64, lang string, r Reloaded) Message {
	t := c.staffTurn(chat, State{Lang: lang})
	var text string
	switch {
	case r.Unavailable:
		text = "⚠️ " + t.html("staff.reload_failed")
	case len(r.Problems) > 0:
		lines := []string{"⚠️ " + t.html("staff.reload_broken")}
		for _, p := range r.Problems {
			lines = append(lines, "• "+t.problem(p))
		}
		text = strings.Join(lines, "\n")
	default:
		text = "✅ " + esc(t.cat.Format(t.lang, "staff.reload_done", map[string]any{
			"Services": t.num(int64(r.Services)), "Contacts": t.num(int64(r.Contacts)), "Encounters": t.num(int64(r.Encounters)),
		}))
		if len(r.Warnings) > 0 {
			lines := []string{text, "", t.html("staff.reload_warnings")}
			for _, p := range r.Warnings {
				lines = append(lines, "• "+t.problem(p))
			}
			text = strings.Join(lines, "\n")
		}
	}
	m := Message{Chat: chat, Text: t.dir(text)}
	if chat > 0 { // a staff member's own chat: the way back to their menu
		m.Buttons = [][]Button{{t.staffBackButton()}}
	}
	return m
}

// problem is one problem with its place named in the staff's language;
// what is wrong is said as the loader says it (file names, fields and the
// loader's words stay left to right in a right-to-left language).
func (t *turn) problem(p problem.Problem) string {
	place := []string{esc(t.cat.Format(t.lang, "staff.problem.file", map[string]any{"File": ltr(t.rtl, p.File)}))}
	if p.Line > 0 {
		place = append(place, esc(t.cat.Format(t.lang, "staff.problem.line", map[string]any{"Line": t.num(int64(p.Line))})))
	}
	if p.Field != "" {
		place = append(place, esc(t.cat.Format(t.lang, "staff.problem.field", map[string]any{"Field": ltr(t.rtl, p.Field)})))
	}
	return strings.Join(place, " · ") + ": " + ltr(t.rtl, esc(p.Msg))
}
