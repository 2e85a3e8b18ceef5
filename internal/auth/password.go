package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/crypto/argon2"

	"xiaoer/internal/errs"
)

// Argon2id parameters: the OWASP minimum (19 MiB, 2 passes, 1 lane) keeps a
// login near 30 ms on two cores and within the memory budget under load.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns the PHC-format argon2id hash of pw.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether pw matches the encoded hash.
func VerifyPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when a username does not exist, so that a
// wrong username takes as long as a wrong password.
var dummyHash, _ = HashPassword("xiaoer-no-such-user")

// CheckPassword enforces the password rule: at least minLen characters,
// three of the four classes (lower case, upper case, digits, others), and
// not containing the username.
func CheckPassword(pw, username string, minLen int) error {
	if n := len([]rune(pw)); n < minLen {
		return errs.Invalidf("password", "密码至少需要%d个字符", "The password needs at least %d characters", minLen)
	}
	if len(pw) > 128 {
		return errs.Invalidf("password", "密码不能超过128个字符", "The password must be at most 128 characters")
	}
	var lower, upper, digit, other bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	classes := 0
	for _, b := range []bool{lower, upper, digit, other} {
		if b {
			classes++
		}
	}
	if classes < 3 {
		return errs.Invalidf("password", "密码须包含大写字母、小写字母、数字、符号中的至少三类", "The password must mix at least three of: upper case, lower case, digits, symbols")
	}
	if username != "" && strings.Contains(strings.ToLower(pw), strings.ToLower(username)) {
		return errs.Invalidf("password", "密码不能包含用户名", "The password must not contain the username")
	}
	return nil
}
