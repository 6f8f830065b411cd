package agency

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

var langs = []string{"de", "en"}

const goodAgency = `name: {de: "Agentur", en: "Agency"}
about: {de: "Über", en: "About"}
timezone: Europe/Berlin
`
const goodServices = `- id: volunteering
  title: {de: T, en: T}
  short: {de: S, en: S}
  long: {de: L, en: L}
  keywords: {de: [ehrenamt]}
`
const goodContacts = `- id: a
  name: "A B"
  role: {de: R, en: R}
  phone: "0151-17466885"
`

func folder(files map[string]string) fstest.MapFS {
	fs := fstest.MapFS{}
	for name, body := range map[string]string{FileAgency: goodAgency, FileServices: goodServices, FileContacts: goodContacts} {
		fs[name] = &fstest.MapFile{Data: []byte(body)}
	}
	for name, body := range files {
		if body == "" {
			delete(fs, name)
			continue
		}
		fs[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return fs
}

// Staff must be told exactly where a mistake is: file, line and field.
func TestLoadReportsFileLineAndField(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string // each must appear in the error
	}{
		{"unknown field", map[string]string{FileServices: goodServices + "  titel: {de: x}\n"},
			[]string{"services.yaml:6: services[0].titel: unknown field"}},
		{"missing translation", map[string]string{FileContacts: strings.Replace(goodContacts, "role: {de: R, en: R}", "role: {de: R}", 1)},
			[]string{"contacts.yaml:3: contacts[0].role.en: missing translation"}},
		{"unknown language", map[string]string{FileContacts: strings.Replace(goodContacts, "en: R}", "en: R, xx: R}", 1)},
			[]string{"contacts.yaml:3: contacts[0].role.xx: unknown field"}},
		{"phone not dialable", map[string]string{FileContacts: strings.Replace(goodContacts, "0151-17466885", "call us", 1)},
			[]string{"contacts.yaml:4: contacts[0].phone: not dialable"}},
		{"phone without area code", map[string]string{FileContacts: strings.Replace(goodContacts, "0151-17466885", "17466885", 1)},
			[]string{"contacts[0].phone: not dialable", "area code"}},
		{"duplicate id", map[string]string{FileContacts: goodContacts + strings.Replace(goodContacts, "A B", "C D", 1)},
			[]string{"contacts.yaml:5: contacts[1].id: duplicate id \"a\" (first used on line 1)"}},
		{"bad id", map[string]string{FileServices: strings.Replace(goodServices, "id: volunteering", "id: Ehren Amt", 1)},
			[]string{"services.yaml:1: services[0].id: id \"Ehren Amt\" must be"}},
		{"missing file", map[string]string{FileContacts: ""}, []string{"contacts.yaml: file is missing"}},
		{"invalid yaml", map[string]string{FileAgency: "name: [unclosed\n"}, []string{"agency.yaml: not valid YAML"}},
		{"unknown time zone", map[string]string{FileAgency: strings.Replace(goodAgency, "Europe/Berlin", "Europe/Marl", 1)},
			[]string{"agency.yaml:3: timezone: unknown time zone"}},
		{"end before start", map[string]string{FileEncounters: encounter("start: 2026-12-01T15:00\n  end: 2026-12-01T14:00")},
			[]string{"encounters.yaml:5: encounters[0].end: ends before it starts"}},
		{"bad date", map[string]string{FileEncounters: encounter("start: 1.12.2026 15 Uhr\n  end: 2026-12-01T14:00")},
			[]string{"encounters.yaml:4: encounters[0].start: \"1.12.2026 15 Uhr\" is not a date and time"}},
		{"bad recurrence", map[string]string{FileEncounters: encounter("start: 2026-12-01T15:00\n  end: 2026-12-01T17:00\n  repeat: daily")},
			[]string{"encounters.yaml:6: encounters[0].repeat: unknown repeat \"daily\""}},
		{"monthly on day 30", map[string]string{FileEncounters: encounter("start: 2026-12-30T15:00\n  end: 2026-12-30T17:00\n  repeat: monthly")},
			[]string{"encounters[0].repeat: monthly repeats the weekday"}},
		{"bad link", map[string]string{FileEncounters: encounter("start: 2026-12-01T15:00\n  end: 2026-12-01T17:00\n  link: www.example.org")},
			[]string{"encounters.yaml:6: encounters[0].link: \"www.example.org\" is not a web link"}},
		{"missing place", map[string]string{FileEncounters: strings.Replace(encounter("start: 2026-12-01T15:00\n  end: 2026-12-01T17:00"), "  place: Hier\n", "", 1)},
			[]string{"encounters.yaml:1: encounters[0].place: missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(langs, folder(tt.files))
			if err == nil {
				t.Fatal("Load accepted the broken content")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
		})
	}
}

func encounter(times string) string {
	return `- id: cafe
  title: {de: Café, en: Café}
  description: {de: D, en: D}
  ` + times + `
  place: Hier
`
}

func TestLoadGood(t *testing.T) {
	c, err := Load(langs, folder(map[string]string{FileEncounters: encounter("start: 2026-12-01T15:00\n  end: 2026-12-01T17:00\n  repeat: weekly")}))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Contacts[0].Dial; got != "+4915117466885" {
		t.Errorf("dialable number = %q, want +4915117466885", got)
	}
	e := c.Encounters[0]
	if e.Start.Location().String() != "Europe/Berlin" || e.Start.Hour() != 15 {
		t.Errorf("start = %v, want 15:00 Berlin time", e.Start)
	}
}

// A later layer replaces whole files: the example layer adds encounters.
func TestLoadLayers(t *testing.T) {
	base := folder(nil)
	extra := fstest.MapFS{FileEncounters: {Data: []byte(encounter("start: 2026-12-01T15:00\n  end: 2026-12-01T17:00"))}}
	c, err := Load(langs, base, extra)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Encounters) != 1 {
		t.Fatalf("got %d encounters, want the 1 from the upper layer", len(c.Encounters))
	}
}

func TestDialable(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0151-17466885", "+4915117466885"},
		{"02361-30295140", "+49236130295140"},
		{"+49 2361 30295140", "+49236130295140"},
		{"0049 (2361) 302951-40", "+49236130295140"},
		{"0151", ""},
		{"+0151 17466885", ""},
		{"0151 1746688x", ""},
	}
	for _, tt := range tests {
		got, err := dialable(tt.in)
		if got != tt.want || (err == nil) != (tt.want != "") {
			t.Errorf("dialable(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNextOccurrence(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		name      string
		e         Encounter
		now, want string // want "" for none
	}{
		{"once, ahead", Encounter{Start: at("2026-12-10 14:00"), End: at("2026-12-10 17:30")}, "2026-12-01 09:00", "2026-12-10 14:00"},
		{"once, running now still shows", Encounter{Start: at("2026-12-10 14:00"), End: at("2026-12-10 17:30")}, "2026-12-10 15:00", "2026-12-10 14:00"},
		{"once, over", Encounter{Start: at("2026-12-10 14:00"), End: at("2026-12-10 17:30")}, "2026-12-10 18:00", ""},
		{"weekly, next tuesday", Encounter{Start: at("2026-12-01 15:00"), End: at("2026-12-01 17:00"), Repeat: Weekly}, "2026-12-02 10:00", "2026-12-08 15:00"},
		{"weekly across daylight saving keeps local time", Encounter{Start: at("2026-12-01 15:00"), End: at("2026-12-01 17:00"), Repeat: Weekly}, "2027-04-01 10:00", "2027-04-06 15:00"},
		{"weekly years later", Encounter{Start: at("2026-12-01 15:00"), End: at("2026-12-01 17:00"), Repeat: Weekly}, "2036-06-01 10:00", "2036-06-03 15:00"},
		{"biweekly", Encounter{Start: at("2026-12-01 15:00"), End: at("2026-12-01 17:00"), Repeat: Biweekly}, "2026-12-02 10:00", "2026-12-15 15:00"},
		{"monthly first saturday", Encounter{Start: at("2026-12-05 10:00"), End: at("2026-12-05 12:00"), Repeat: Monthly}, "2026-12-06 10:00", "2027-01-02 10:00"},
		{"monthly ten years on", Encounter{Start: at("2026-12-05 10:00"), End: at("2026-12-05 12:00"), Repeat: Monthly}, "2036-12-06 13:00", "2037-01-03 10:00"},
		{"until ends it", Encounter{Start: at("2026-12-01 15:00"), End: at("2026-12-01 17:00"), Repeat: Weekly, Until: at("2026-12-09 23:59")}, "2026-12-09 10:00", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, ok := tt.e.Next(at(tt.now))
			if tt.want == "" {
				if ok {
					t.Fatalf("got %v, want none", o.Start)
				}
				return
			}
			if !ok || !o.Start.Equal(at(tt.want)) {
				t.Fatalf("got %v (%v), want %s", o.Start, ok, tt.want)
			}
			if o.End.Sub(o.Start) != tt.e.End.Sub(tt.e.Start) {
				t.Errorf("occurrence lasts %v, want %v", o.End.Sub(o.Start), tt.e.End.Sub(tt.e.Start))
			}
		})
	}
}
