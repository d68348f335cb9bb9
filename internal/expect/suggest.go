package expect

import (
	"strings"

	"github.com/keywarden/keywarden/internal/awsfacts"
)

// suggest returns the known word nearest to word when it is near enough
// to be a misspelling (case ignored), else "".
func suggest(word string, known []string) string {
	w := strings.ToLower(word)
	if w == "" {
		return ""
	}
	best, bestD := "", -1
	for _, k := range known {
		d := distance(w, strings.ToLower(k))
		if bestD < 0 || d < bestD {
			best, bestD = k, d
		}
	}
	if bestD >= 0 && (bestD <= 2 || bestD <= len(w)/3) {
		return best
	}
	// A prefix of a known word ("outsideOrg") is a misspelling too.
	if len(w) >= 4 {
		for _, k := range known {
			if strings.HasPrefix(strings.ToLower(k), w) {
				return k
			}
		}
	}
	return ""
}

// distance is the Levenshtein distance between a and b, in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

func kmsAllActions() []string { return awsfacts.KMSActionNames() }
