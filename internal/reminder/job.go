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
}

// id names the job: the same work always has the same id, so that planning
// it twice, or on two replicas, makes one job, and a follower's message is
// deduplicated by it.
func (j job) id() string {
	e := j.Enc
	switch j.Kind {
	case conversation.NoticeReminder:
		return store.ReminderJob(e, time.Unix(j.Start, 0), time.Duration(j.Offset)*time.Second)
	case conversation.NoticeMoved:
		return "m:" + e + ":" + unix(j.OldStart) + ":" + unix(j.Start) + ":" + unix(j.End)
	case conversation.NoticeCancelled:
		return "c:" + e + ":" + unix(j.Start)
	default:
		return "x:" + e + ":" + unix(j.Start)
	}
}

func unix(s int64) string { return strconv.FormatInt(s, 10) }

func (j job) kind() string {
	switch j.Kind {
	case conversation.NoticeReminder:
		return "reminder"
	case conversation.NoticeMoved:
		return "moved"
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
