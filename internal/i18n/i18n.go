// Package i18n carries text in the two languages xiaoer speaks: simplified
// Chinese (the default) and English.
package i18n

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// Lang is a language tag xiaoer can answer in.
type Lang string

// The languages. ZH is the default everywhere.
const (
	ZH Lang = "zh-CN"
	EN Lang = "en"
)

// Text is one message in both languages.
type Text struct {
	Zh string
	En string
}

// T returns the message zh / en.
func T(zh, en string) Text { return Text{Zh: zh, En: en} }

// F formats both languages with the same arguments, as fmt.Sprintf does. An
// argument that is itself a Text (a state's label, say) is written in the
// language being formatted.
func F(zh, en string, args ...any) Text {
	return Text{Zh: fmt.Sprintf(zh, in(ZH, args)...), En: fmt.Sprintf(en, in(EN, args)...)}
}

func in(l Lang, args []any) []any {
	out := args
	for i, a := range args {
		if t, ok := a.(Text); ok {
			if &out[0] == &args[0] {
				out = append([]any(nil), args...)
			}
			out[i] = t.In(l)
		}
	}
	return out
}

// String returns the Chinese text.
func (t Text) String() string { return t.Zh }

// In returns the message in l; English falls back to Chinese when missing.
func (t Text) In(l Lang) string {
	if l == EN && t.En != "" {
		return t.En
	}
	return t.Zh
}

// IsZero reports whether t has no text.
func (t Text) IsZero() bool { return t.Zh == "" && t.En == "" }

// Parse reads a language tag, loosely: anything English is EN, the rest ZH.
func Parse(tag string) Lang {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if tag == "en" || strings.HasPrefix(tag, "en-") || strings.HasPrefix(tag, "en_") {
		return EN
	}
	return ZH
}

// CookieName is the cookie in which the web pages remember a chosen language.
const CookieName = "xiaoer_lang"

// FromRequest picks the language of a request: an explicit ?lang=, then the
// cookie the language switch sets, then Accept-Language (first preference
// between zh and en wins), then Chinese.
func FromRequest(r *http.Request) Lang {
	if l := r.URL.Query().Get("lang"); l != "" {
		return Parse(l)
	}
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		return Parse(c.Value)
	}
	return fromAcceptLanguage(r.Header.Get("Accept-Language"))
}

func fromAcceptLanguage(h string) Lang {
	type pref struct {
		lang Lang
		q    float64
		pos  int
	}
	var prefs []pref
	for i, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			fmt.Sscanf(v, "%g", &q)
		}
		switch {
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			prefs = append(prefs, pref{EN, q, i})
		case tag == "zh" || strings.HasPrefix(tag, "zh-"):
			prefs = append(prefs, pref{ZH, q, i})
		}
	}
	if len(prefs) == 0 {
		return ZH
	}
	sort.SliceStable(prefs, func(a, b int) bool { return prefs[a].q > prefs[b].q })
	return prefs[0].lang
}

type ctxKey struct{}

// With returns ctx carrying the language l.
func With(ctx context.Context, l Lang) context.Context { return context.WithValue(ctx, ctxKey{}, l) }

// From returns the language carried by ctx, or ZH.
func From(ctx context.Context) Lang {
	if l, ok := ctx.Value(ctxKey{}).(Lang); ok {
		return l
	}
	return ZH
}

var (
	mu      sync.RWMutex
	catalog = map[string]Text{}
)

// Register adds the user-interface strings of one module to the catalog.
// Keys are dotted, module first ("nav.home", "case.accept"). A key registered
// twice is a programming error and panics at start-up.
func Register(m map[string]Text) {
	mu.Lock()
	defer mu.Unlock()
	for k, v := range m {
		if _, dup := catalog[k]; dup {
			panic("i18n: key registered twice: " + k)
		}
		catalog[k] = v
	}
}

// Lookup returns the catalog text of key, and whether there is one.
func Lookup(key string) (Text, bool) {
	mu.RLock()
	defer mu.RUnlock()
	t, ok := catalog[key]
	return t, ok
}

// Tr returns the catalog text of key in l; an unknown key is returned as is,
// so a missing string shows up on the page instead of vanishing.
func Tr(l Lang, key string) string {
	if t, ok := Lookup(key); ok {
		return t.In(l)
	}
	return key
}
