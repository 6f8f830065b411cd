package understand_test

import "testing"

// holdout4Folder is the fourth held-out set: 27 phrasings per language and
// main intent, written by someone who saw neither the intent words, the
// tuning phrasings, the classifier nor the other held-out sets. Unlike the
// sets before it, its help phrasings are about using the chat only (no
// request for the menu or another language, which have screens of their
// own), so a help phrasing answered with the menu is a miss here too.
const holdout4Folder = "testdata/holdout4"

// holdout4Floor guards what was reached on it when it was written, with
// the logistic regression and its review: 83.8 % over all languages, 80.6 %
// in the weakest (fa); 136 of the 210 misses opened another screen, 70 were
// not understood. 88.2 % and 84.3 % (ar) once the model chooses among the
// main intents whose keywords matched or overrules them when sure, with
// 488 tuning phrasings and 311 out-of-scope messages more (95 misses open
// another screen, 55 are not understood). 90.4 % and 88.0 % (ar) once
// Latin-letter Bulgarian, Russian and Ukrainian are read as Cyrillic and
// three fresh sets of 2,160 resident messages joined the tuning set (78
// misses open another screen, 44 are not understood). The target is 95 %
// in every language.
const holdout4Floor = 0.86

// TestHoldout4 measures the bot on the fourth held-out set. Like the other
// held-out sets, its misses are never printed, only the figures.
func TestHoldout4(t *testing.T) {
	accuracy(t, holdout4Folder, 27, holdout4Floor, false)
}
