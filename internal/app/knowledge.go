package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/integrationsagentur-marl/integrabot/content"
	"github.com/integrationsagentur-marl/integrabot/internal/agency"
	"github.com/integrationsagentur-marl/integrabot/internal/conversation"
	"github.com/integrationsagentur-marl/integrabot/internal/i18n"
	"github.com/integrationsagentur-marl/integrabot/internal/problem"
	"github.com/integrationsagentur-marl/integrabot/internal/understand"
	"github.com/integrationsagentur-marl/integrabot/locales"
)

// Knowledge is everything the bot knows: content, languages, understanding.
type Knowledge struct {
	Content *agency.Content
	Catalog *i18n.Catalog
	NLU     *understand.Classifier
}

// contentLayers returns the content folder: the operator's (dir), or the
// embedded default, with the sample encounters on top when example is set.
func contentLayers(dir string, example bool) []fs.FS {
	var layers []fs.FS
	if dir != "" {
		layers = append(layers, os.DirFS(dir))
	} else {
		layers = append(layers, content.Default())
	}
	if example {
		layers = append(layers, content.Example())
	}
	return layers
}

// LoadKnowledge loads locales and content; the error lists every problem.
func LoadKnowledge(contentDir string, example bool) (*Knowledge, error) {
	cat, err := i18n.Load(locales.FS())
	if err != nil {
		return nil, fmt.Errorf("locales:\n%w", err)
	}
	codes := langCodes(cat)
	words, wordsErr := understand.LoadWords(locales.FS(), codes)
	c, contentErr := agency.Load(codes, contentLayers(contentDir, example)...)
	if err := errors.Join(wordsErr, contentErr); err != nil {
		return nil, err
	}
	return &Knowledge{Content: c, Catalog: cat, NLU: understand.Build(words, c, "de", "en")}, nil
}

// Core returns the conversation core for this knowledge.
func (k *Knowledge) Core() *conversation.Core { return conversation.New(k.Content, k.Catalog, k.NLU) }

func langCodes(cat *i18n.Catalog) []string {
	var codes []string
	for _, l := range cat.Languages() {
		codes = append(codes, l.Code)
	}
	return codes
}

// ProblemsOf lists the problems in err, or err itself as one problem.
func ProblemsOf(err error) []string {
	var out []string
	var list problem.List
	var joined interface{ Unwrap() []error }
	switch {
	case errors.As(err, &joined) && len(joined.Unwrap()) > 1:
		for _, e := range joined.Unwrap() {
			out = append(out, ProblemsOf(e)...)
		}
	case errors.As(err, &list):
		for _, p := range list {
			out = append(out, p.String())
		}
	default:
		out = append(out, err.Error())
	}
	return out
}

// problemsIn lists the problems in err with their file, line and field;
// an error that is not a list of problems becomes one problem of its own.
func problemsIn(err error) []problem.Problem {
	var out []problem.Problem
	var list problem.List
	var joined interface{ Unwrap() []error }
	switch {
	case errors.As(err, &joined) && len(joined.Unwrap()) > 1:
		for _, e := range joined.Unwrap() {
			out = append(out, problemsIn(e)...)
		}
	case errors.As(err, &list):
		out = append(out, list...)
	default:
		out = append(out, problem.Problem{Msg: err.Error()})
	}
	return out
}
