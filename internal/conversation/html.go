package conversation

import "strings"

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// esc makes any text safe inside Telegram HTML.
func esc(s string) string { return escaper.Replace(s) }

// bold writes escaped text in bold.
func bold(s string) string { return "<b>" + esc(s) + "</b>" }

// ltr keeps a left-to-right run such as a phone number or a time readable
// inside right-to-left text (Unicode bidi isolation).
func ltr(rtl bool, s string) string {
	if !rtl {
		return s
	}
	return "\u2066" + s + "\u2069"
}

// paragraphs joins non-empty blocks with an empty line.
func paragraphs(blocks ...string) string {
	out := blocks[:0:0]
	for _, b := range blocks {
		if b != "" {
			out = append(out, b)
		}
	}
	return strings.Join(out, "\n\n")
}

// rlmLines starts every line with a right-to-left mark. Clients that set the
// direction per line would otherwise lay out left to right a line that
// starts with a Latin name ("Marl…") or an emoji and a number.
func rlmLines(s string) string {
	if s == "" {
		return s
	}
	return "\u200f" + strings.ReplaceAll(s, "\n", "\n\u200f")
}

// dir readies a reply's text for the resident's writing direction.
func (t *turn) dir(s string) string {
	if !t.rtl {
		return s
	}
	return rlmLines(s)
}
