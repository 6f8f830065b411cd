package conversation

import "strings"

// Why a message could not be sent, as staff are told in a broadcast's report
// (broadcast.reason.<reason>). The Telegram adapter tells them apart; the
// delivery counts each.
const (
	FailTooLong     = "too_long"    // the text or caption is longer than Telegram takes
	FailMarkup      = "markup"      // Telegram could not read the text's formatting
	FailFile        = "file"        // the photo or document is not known to Telegram
	FailRefused     = "refused"     // any other refusal
	FailUnreachable = "unreachable" // Telegram did not answer, try after try
)

// failReasons are the reasons in the order staff read them.
var failReasons = []string{FailTooLong, FailMarkup, FailFile, FailRefused, FailUnreachable}

// failureLines are the reasons of f's failures, one line each with its
// count, most telling first; none when nothing failed.
func (t *turn) failureLines(f BroadcastFigures) string {
	var lines []string
	for _, r := range failReasons {
		if n := f.Reasons[r]; n > 0 {
			lines = append(lines, "• "+esc(t.tr("broadcast.reason."+r))+": "+t.num(n))
		}
	}
	if len(lines) == 0 {
		return ""
	}
	return t.dir(esc(t.tr("broadcast.reasons")) + "\n" + strings.Join(lines, "\n"))
}
