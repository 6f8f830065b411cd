package agency

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/integrationsagentur-marl/integrabot/internal/problem"
	"io/fs"
	"net/url"
	"regexp"
	"time"

	"go.yaml.in/yaml/v3"
)

// The files of a content folder. encounters.yaml may be missing.
const (
	FileAgency     = "agency.yaml"
	FileServices   = "services.yaml"
	FileContacts   = "contacts.yaml"
	FileEncounters = "encounters.yaml"
)

// idPattern keeps ids short and plain: they travel in button data (64 bytes at most).
var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,31}$`)

// Load reads a content folder. Each later layer replaces whole files of the
// earlier ones (the example layer adds sample encounters to the default).
// langs are the language codes every text must have. The error, if any, is
// problem.List: every problem found, each with file, line and field.
//
// The content's Stamp tells replicas running different contents (a rolling
// deploy, a SIGHUP sent to one of them) which one is newer: the time the
// newest of its files was last changed, then a digest of what they hold,
// written so that a newer content's stamp sorts after an older one's. See
// Stamp.
func Load(langs []string, layers ...fs.FS) (*Content, error) {
	c := &Content{}
	var problems problem.List
	var newest time.Time
	digest := sha256.New()
	// required: the file must be there and hold something; an encounters
	// file may be missing or hold only comments (no encounters is valid)
	read := func(name string, required bool, parse func(r *reader, root *yaml.Node)) {
		data, mod, err := readLayered(name, layers)
		if err == nil {
			if mod.After(newest) {
				newest = mod
			}
			fmt.Fprintf(digest, "%s %d\n", name, len(data))
			digest.Write(data)
		}
		if errors.Is(err, fs.ErrNotExist) {
			if required {
				problems = append(problems, problem.Problem{File: name, Msg: "file is missing"})
			}
			return
		}
		if err != nil {
			problems = append(problems, problem.Problem{File: name, Msg: err.Error()})
			return
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			problems = append(problems, problem.Problem{File: name, Msg: "not valid YAML: " + err.Error()})
			return
		}
		r := &reader{file: name, langs: langs}
		switch {
		case len(doc.Content) == 0 && required:
			r.fail(&doc, "", "file is empty")
		case len(doc.Content) > 0:
			root := doc.Content[0]
			if err := expand(root, 0); err != nil {
				r.fail(root, "", "%v", err)
				break
			}
			parse(r, root)
		}
		problems = append(problems, r.problems...)
		c.Warnings = append(c.Warnings, r.warnings...)
	}

	read(FileAgency, true, func(r *reader, root *yaml.Node) { c.Agency, c.Location = r.agency(root) })
	if c.Location == nil {
		c.Location = time.UTC
	}
	read(FileServices, true, func(r *reader, root *yaml.Node) { c.Services = r.services(root) })
	read(FileContacts, true, func(r *reader, root *yaml.Node) { c.Contacts = r.contacts(root) })
	read(FileEncounters, false, func(r *reader, root *yaml.Node) { c.Encounters = r.encounters(root, c.Location) })
	if err := problems.Err(); err != nil {
		return nil, err
	}
	c.Stamp = Stamp(newest, digest.Sum(nil))
	return c, nil
}

// Stamp names a content: the time its newest file was last changed (UTC, to
// the nanosecond; zero for the files built into the binary) and the first
// bytes of a digest of its files, so that two contents changed at the same
// moment still have one order, the same on every replica. Stamps compare as
// strings: the later, the newer.
func Stamp(changed time.Time, digest []byte) string {
	if len(digest) > 6 {
		digest = digest[:6]
	}
	return changed.UTC().Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(digest)
}

// readLayered reads name from the last layer that has it, with the time
// the file was last changed (zero when the layer does not tell).
func readLayered(name string, layers []fs.FS) ([]byte, time.Time, error) {
	for i := len(layers) - 1; i >= 0; i-- {
		data, err := fs.ReadFile(layers[i], name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		var mod time.Time
		if info, serr := fs.Stat(layers[i], name); serr == nil {
			mod = info.ModTime()
		}
		return data, mod, err
	}
	return nil, time.Time{}, fs.ErrNotExist
}

func (r *reader) agency(n *yaml.Node) (Agency, *time.Location) {
	var a Agency
	loc := time.UTC
	r.fields(n, "", func(key string, v *yaml.Node) bool {
		switch key {
		case "name":
			a.Name = r.text(v, key)
		case "about":
			a.About = r.text(v, key)
		case "provider":
			a.Provider = r.str(v, key)
		case "since":
			a.Since = r.integer(v, key)
		case "district":
			a.District = r.str(v, key)
		case "partner":
			a.Partner = r.str(v, key)
		case "timezone":
			l, err := time.LoadLocation(r.str(v, key))
			if err != nil {
				r.fail(v, key, "unknown time zone %q (write it like Europe/Berlin)", v.Value)
			} else {
				loc = l
			}
		default:
			return false
		}
		return true
	})
	r.required(n, "", "name", "about", "timezone")
	return a, loc
}

// list calls item for each entry of a list node, with its path and a check for duplicate ids.
func (r *reader) list(n *yaml.Node, kind string, item func(path string, v *yaml.Node) string) {
	if n.Kind != yaml.SequenceNode {
		r.fail(n, "", "expected a list of %s, found %s", kind, kindName(n))
		return
	}
	ids := map[string]int{}
	for i, v := range n.Content {
		path := fmt.Sprintf("%s[%d]", kind, i)
		id := item(path, v)
		if id == "" {
			continue
		}
		if first, dup := ids[id]; dup {
			r.fail(v, path+".id", "duplicate id %q (first used on line %d)", id, first)
			continue
		}
		ids[id] = v.Line
	}
}

func (r *reader) id(v *yaml.Node, path string) string {
	id := r.str(v, path)
	if id != "" && !idPattern.MatchString(id) {
		r.fail(v, path, "id %q must be 1 to 32 characters of a-z, 0-9 and -, starting with a letter or digit", id)
		return ""
	}
	return id
}

func (r *reader) services(n *yaml.Node) []Service {
	var out []Service
	r.list(n, "services", func(path string, v *yaml.Node) string {
		var s Service
		r.fields(v, path, func(key string, f *yaml.Node) bool {
			switch key {
			case "id":
				s.ID = r.id(f, join(path, key))
			case "title":
				s.Title = r.text(f, join(path, key))
			case "short":
				s.Short = r.text(f, join(path, key))
			case "long":
				s.Long = r.text(f, join(path, key))
			case "keywords":
				s.Keywords = r.words(f, join(path, key))
			default:
				return false
			}
			return true
		})
		r.required(v, path, "id", "title", "short", "long")
		out = append(out, s)
		return s.ID
	})
	return out
}

func (r *reader) contacts(n *yaml.Node) []Contact {
	var out []Contact
	r.list(n, "contacts", func(path string, v *yaml.Node) string {
		var c Contact
		r.fields(v, path, func(key string, f *yaml.Node) bool {
			switch key {
			case "id":
				c.ID = r.id(f, join(path, key))
			case "name":
				c.Name = r.str(f, join(path, key))
			case "role":
				c.Role = r.text(f, join(path, key))
			case "phone":
				c.Phone = r.str(f, join(path, key))
				if c.Phone != "" {
					dial, err := dialable(c.Phone)
					if err != nil {
						r.fail(f, join(path, key), "not dialable: %v", err)
					}
					c.Dial = dial
				}
			default:
				return false
			}
			return true
		})
		r.required(v, path, "id", "name", "role", "phone")
		out = append(out, c)
		return c.ID
	})
	return out
}

// timeLayouts are the ways staff may write a local date and time.
var timeLayouts = []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"}

func (r *reader) localTime(v *yaml.Node, path string, loc *time.Location) time.Time {
	s := r.str(v, path)
	for _, layout := range timeLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			if t.Format(layout) != s { // Go moved it: the time does not exist there
				r.fail(v, path, "%s", gap(s, t, loc))
				return time.Time{}
			}
			return FirstAt(t) // the first of a repeated autumn hour
		}
	}
	if s != "" {
		r.fail(v, path, "%q is not a date and time; write it like 2026-12-01T15:00", s)
	}
	return time.Time{}
}

func (r *reader) encounters(n *yaml.Node, loc *time.Location) []Encounter {
	var out []Encounter
	r.list(n, "encounters", func(path string, v *yaml.Node) string {
		var e Encounter
		nodes := map[string]*yaml.Node{} // the fields given, for problems found after reading them all
		ok := true                       // the fields that make up the series were read without a problem
		r.fields(v, path, func(key string, f *yaml.Node) bool {
			p := join(path, key)
			before := len(r.problems)
			switch key {
			case "id":
				e.ID = r.id(f, p)
			case "title":
				e.Title = r.textDE(f, p)
			case "description":
				e.Description = r.textDE(f, p)
			case "start":
				e.Start = r.localTime(f, p, loc)
			case "end":
				e.End = r.localTime(f, p, loc)
			case "repeat":
				e.Repeat = Repeat(r.str(f, p))
			case "days":
				e.Days = r.weekdays(f, p)
			case "every":
				e.Every = r.every(f, p)
			case "week":
				e.Week = r.week(f, p)
			case "until":
				if d := r.date(f, p, loc, "2027-03-31"); !d.IsZero() {
					e.Until = d.AddDate(0, 0, 1).Add(-time.Nanosecond) // the whole last day
				}
			case "except":
				e.Except = r.dates(f, p, loc)
			case "cancelled":
				e.Cancelled = r.boolean(f, p, "write cancelled: true to call off the whole encounter, or leave the field out")
			case "place":
				e.Place = r.str(f, p)
			case "link":
				e.Link = r.str(f, p)
				if u, err := url.Parse(e.Link); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
					r.fail(f, p, "%q is not a web link (https://…)", e.Link)
				}
			default:
				return false
			}
			nodes[key] = f
			switch key {
			case "start", "end", "repeat", "days", "every", "week", "until":
				ok = ok && len(r.problems) == before
			}
			return true
		})
		r.required(v, path, "id", "title", "description", "start", "end", "place")
		if endNode := nodes["end"]; endNode != nil && !e.Start.IsZero() && !e.End.IsZero() {
			switch {
			case !e.End.After(e.Start):
				r.fail(endNode, join(path, "end"), "ends before it starts (%s ≤ %s)", e.End.Format("2006-01-02 15:04"), e.Start.Format("2006-01-02 15:04"))
			case e.End.Sub(e.Start) > 24*time.Hour:
				r.fail(endNode, join(path, "end"), "lasts longer than a day; enter each day as its own encounter or use repeat")
			}
		}
		r.recurrence(&e, path, nodes, ok)
		out = append(out, e)
		return e.ID
	})
	return out
}

// gap says why a local time written as s does not exist: it falls in the
// hour the clocks skip in spring.
func gap(s string, shifted time.Time, loc *time.Location) string {
	start, _ := shifted.ZoneBounds() // the moment the clocks went forward
	_, before := start.Add(-time.Second).Zone()
	from := start.In(time.FixedZone("", before)).Format("15:04")
	return fmt.Sprintf("%s does not exist in %s: that night the clocks go forward from %s to %s; write a time before %s or from %s on",
		s, loc, from, start.In(loc).Format("15:04"), from, start.In(loc).Format("15:04"))
}
