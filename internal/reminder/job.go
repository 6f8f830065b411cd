package reminder

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/store"
)

// job is what a planned job does; it travels as JSON in the store.
type job struct {
	Kind     conversation.NoticeKind `json:"k"`
	Enc      string                  `json:"e"`
	Start    int64                   `json:"s,omitempty"` // unix seconds
	End      int64                   `json:"x,omitempty"`
	OldStart int64                   `json:"os,omitempty"`
	OldEnd   int64                   `json:"ox,omitempty"`
	Offset   int64                   `json:"o,omitempty"` // a reminder: seconds before the start
	Title    agency.Text             `json:"t,omitempty"` // a notice about an encounter that may have left the content
	Place    string                  `json:"p,omitempty"`
	Change   int64                   `json:"n,omitempty"` // a notice: when the change was planned (unix ms)
}

// id names the job, and a follower's message is deduplicated by it. A
// reminder's is the same for the same work, so that planning it twice, or
// on two replicas, makes one job. A notice's names the change it tells of,
// with the moment it was planned: the same date called off, on again and
// off again is told three times. That each change is planned once, by one
// replica, the plan's compare-and-set sees to (Store.Replan).
func (j job) id() string {
	e := j.Enc
	n := ":" + unix(j.Change)
	switch j.Kind {
	case conversation.NoticeReminder:
		return store.ReminderJob(e, time.Unix(j.Start, 0), time.Duration(j.Offset)*time.Second)
	case conversation.NoticeMoved:
		return "m:" + e + ":" + unix(j.OldStart) + ":" + unix(j.Start) + ":" + unix(j.End) + n
	case conversation.NoticeCancelled:
		return "c:" + e + ":" + unix(j.Start) + n
	case conversation.NoticeRestored:
		return "o:" + e + ":" + unix(j.Start) + n
	case conversation.NoticeSeriesRestored:
		return "g:" + e + ":" + unix(j.Start) + n
	default:
		return "x:" + e + ":" + unix(j.Start) + n
	}
}

func unix(s int64) string { return strconv.FormatInt(s, 10) }

func (j job) kind() string {
	switch j.Kind {
	case conversation.NoticeReminder:
		return "reminder"
	case conversation.NoticeMoved:
		return "moved"
	case conversation.NoticeRestored:
		return "restored"
	case conversation.NoticeSeriesRestored:
		return "series_restored"
	}
	return "cancelled"
}

func (j job) encode() string {
	data, _ := json.Marshal(j) // plain fields: cannot fail
	return string(data)
}

func decodeJob(s string) (job, error) {
	var j job
	if err := json.Unmarshal([]byte(s), &j); err != nil {
		return j, fmt.Errorf("job payload: %w", err)
	}
	return j, nil
}

// notice is the core's view of the job.
func (j job) notice() conversation.Notice {
	return conversation.Notice{
		Kind: j.Kind, Encounter: j.Enc, Title: j.Title, Place: j.Place,
		Start: at(j.Start), End: at(j.End), OldStart: at(j.OldStart), OldEnd: at(j.OldEnd),
	}
}

func at(s int64) time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(s, 0)
}
