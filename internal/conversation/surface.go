package conversation

// Surface is where residents read the bot: the wording differs where the
// surfaces differ (only the terminal numbers its choices).
type Surface int

// The surfaces.
const (
	SurfaceTelegram Surface = iota // buttons to tap; the default
	SurfaceTerminal                // numbered choices to type
)

// WithSurface returns a core that words its answers for the surface; the
// receiver is unchanged. New returns a core for Telegram.
func (c *Core) WithSurface(s Surface) *Core {
	cc := *c
	cc.surface = s
	return &cc
}

// helpText explains how to ask; only where choices are numbered does it say
// that typing a number picks one.
func (t *turn) helpText() string {
	if t.surface == SurfaceTerminal {
		return paragraphs(t.html("help.text"), t.html("help.numbers"))
	}
	return t.html("help.text")
}
