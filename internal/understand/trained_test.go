package understand

import "testing"

// A classifier built again on the same words takes the model trained
// before; one whose words or services' keywords changed is trained anew,
// and then knows the new keyword.
func TestTheModelIsTrainedOncePerWords(t *testing.T) {
	words := map[string]Words{"de": {Contacts: {"telefon"}, Services: {"angebot"}, Encounters: {"treffen"}, Help: {"hilfe"}}}
	services := map[string]map[string][]string{"nachbarn": {"de": {"nachbarschaft"}}}
	first := New(words, services, "de")
	again := New(words, services, "de")
	if first.guess != again.guess {
		t.Error("the same words trained the model again")
	}
	changed := map[string]map[string][]string{"nachbarn": {"de": {"nachbarschaft", "quartiersarbeit"}}}
	other := New(words, changed, "de")
	if other.guess == first.guess {
		t.Fatal("new services' keywords kept the old model")
	}
	if a, b := inputsKey(chosenLinear, words, services, tuningSet()), inputsKey(chosenLinear, words, changed, tuningSet()); a == b {
		t.Error("two sets of keywords give the same digest")
	}
	// two lists that write the same letters in other places differ
	x := map[string]map[string][]string{"a": {"de": {"bc"}}}
	y := map[string]map[string][]string{"a": {"de": {"b", "c"}}}
	if inputsKey(chosenLinear, words, x, nil) == inputsKey(chosenLinear, words, y, nil) {
		t.Error("[bc] and [b c] give the same digest")
	}
}
