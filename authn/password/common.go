package password

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/frequency"
)

// commonLists names the ranked lists of zxcvbn (through
// github.com/trustelem/zxcvbn/frequency, a port of Dropbox's zxcvbn 4.4.2)
// whose entries [Validate] refuses as whole passwords: "passwords", the
// top 30,000 of a corpus of leaked passwords, and the common names, words
// and film and television words that zxcvbn's generator moved out of it.
// That generator keeps each token in only one list, the one where it ranks
// highest, so "passwords" alone lacks some of the corpus's commonest
// entries ("jennifer", its 34th, sits in "female_names"); NIST SP 800-63B
// counts dictionary words as blocklist material too.
var commonLists = []string{"passwords", "female_names", "male_names", "surnames", "us_tv_and_film", "english_wikipedia"}

// common is the blocklist: the entries of commonLists of at least
// MinLength characters (shorter ones fail the length rule first), all
// lowercase as zxcvbn ships them. It is built on first use, not at import:
// a few milliseconds and about 3 MB, paid once by the first Validate.
var common = sync.OnceValue(buildCommon)

func buildCommon() map[string]struct{} {
	set := make(map[string]struct{}, 42_000)
	for _, name := range commonLists {
		for _, w := range frequency.FrequencyLists[name] {
			if utf8.RuneCountInString(w) >= MinLength {
				set[w] = struct{}{}
			}
		}
	}
	return set
}

// isCommon reports whether pw, lowercased, is an entry of the blocklist:
// an exact match of the whole password, with no other transformation.
func isCommon(pw string) bool {
	_, found := common()[strings.ToLower(pw)]
	return found
}
