package agency

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// fileEncounter is one encounter as encounters.yaml writes it.
type fileEncounter struct {
	ID          string            `yaml:"id"`
	Title       map[string]string `yaml:"title"`
	Description map[string]string `yaml:"description"`
	Start       string            `yaml:"start"`
	End         string            `yaml:"end"`
	Repeat      string            `yaml:"repeat,omitempty"`
	Days        []string          `yaml:"days,omitempty,flow"`
	Every       int               `yaml:"every,omitempty"`
	Week        string            `yaml:"week,omitempty"`
	Until       string            `yaml:"until,omitempty"`
	Except      []string          `yaml:"except,omitempty,flow"`
	Cancelled   bool              `yaml:"cancelled,omitempty"`
	Place       string            `yaml:"place"`
	Link        string            `yaml:"link,omitempty"`
}

const (
	localLayout = "2006-01-02T15:04"
	dateLayout  = "2006-01-02"
)

// MarshalEncounters writes encounters in the format of encounters.yaml,
// their times local to loc: loading the result gives the same encounters.
func MarshalEncounters(list []Encounter, loc *time.Location) ([]byte, error) {
	out := make([]fileEncounter, 0, len(list))
	for _, e := range list {
		f := fileEncounter{
			ID: e.ID, Title: e.Title, Description: e.Description,
			Start: e.Start.In(loc).Format(localLayout), End: e.End.In(loc).Format(localLayout),
			Repeat: string(e.Repeat), Every: e.Every, Cancelled: e.Cancelled, Place: e.Place, Link: e.Link,
		}
		for _, d := range e.Days {
			f.Days = append(f.Days, shortDay(d))
		}
		switch {
		case e.Week == Last:
			f.Week = "last"
		case e.Week > 0:
			f.Week = fmt.Sprint(e.Week)
		}
		if !e.Until.IsZero() {
			f.Until = e.Until.In(loc).Format(dateLayout)
		}
		for _, x := range e.Except {
			f.Except = append(f.Except, x.In(loc).Format(dateLayout))
		}
		out = append(out, f)
	}
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return nil, fmt.Errorf("write encounters: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write encounters: %w", err)
	}
	return []byte(b.String()), nil
}

// ParseEncounters reads encounters written in the format of encounters.yaml
// (as MarshalEncounters writes them), checked as the content folder's are;
// langs are the languages a text may be given in. The error, if any, is a
// problem.List.
func ParseEncounters(data []byte, loc *time.Location, langs []string) ([]Encounter, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: not valid YAML: %w", FileEncounters, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	r := &reader{file: FileEncounters, langs: langs}
	root := doc.Content[0]
	if err := expand(root, 0); err != nil {
		return nil, fmt.Errorf("%s: %w", FileEncounters, err)
	}
	list := r.encounters(root, loc)
	if err := r.problems.Err(); err != nil {
		return nil, err
	}
	return list, nil
}
