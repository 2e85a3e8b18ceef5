// Package pii protects personal data — ID numbers, phone numbers, bank
// accounts. Values are stored encrypted with SM4-GCM under the instance key,
// found again by an HMAC-SM3 blind index, and shown masked unless the
// viewer's role may see them in full (and that showing is audited by the
// caller).
package pii

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/emmansun/gmsm/sm3"
	"github.com/emmansun/gmsm/sm4"
)

// Kind is a kind of personal data.
type Kind string

// The kinds xiaoer holds.
const (
	IDNumber    Kind = "id_number"
	Phone       Kind = "phone"
	BankAccount Kind = "bank_account"
)

// KeyEnv is the environment variable that may hold the instance key (64 hex
// characters); otherwise the key file in the data folder is used.
const KeyEnv = "XIAOER_KEY"

// KeyFile is the name of the key file created on first start.
const KeyFile = "xiaoer.key"

// Cipher encrypts and indexes personal data under one instance key.
type Cipher struct {
	aead  cipher.AEAD
	index []byte
}

// NewCipher derives the encryption and index keys from a 32-byte master key.
func NewCipher(master []byte) (*Cipher, error) {
	if len(master) != 32 {
		return nil, errors.New("pii: the key must be 32 bytes (64 hex characters)")
	}
	encKey := derive(master, "xiaoer pii sm4-gcm")[:16]
	block, err := sm4.NewCipher(encKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Cipher{aead: aead, index: derive(master, "xiaoer pii index")}, nil
}

func derive(master []byte, label string) []byte {
	m := hmac.New(sm3.New, master)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// LoadKey returns the master key from XIAOER_KEY, or from the key file in
// dir, creating that file (mode 0600) with a random key if it is missing.
func LoadKey(getenv func(string) string, dir string) ([]byte, error) {
	if h := strings.TrimSpace(getenv(KeyEnv)); h != "" {
		k, err := hex.DecodeString(h)
		if err != nil || len(k) != 32 {
			return nil, fmt.Errorf("pii: %s must be 64 hex characters", KeyEnv)
		}
		return k, nil
	}
	path := filepath.Join(dir, KeyFile)
	if b, err := os.ReadFile(path); err == nil {
		k, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(k) != 32 {
			return nil, fmt.Errorf("pii: %s is not a valid key file", path)
		}
		return k, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("pii: create key file: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(hex.EncodeToString(k) + "\n"); err != nil {
		return nil, err
	}
	return k, f.Sync()
}

// Seal encrypts s; the empty string stays empty (nil).
func (c *Cipher) Seal(s string) []byte {
	if s == "" {
		return nil
	}
	nonce := make([]byte, c.aead.NonceSize())
	rand.Read(nonce)
	return c.aead.Seal(nonce, nonce, []byte(s), nil)
}

// Open decrypts what Seal produced.
func (c *Cipher) Open(b []byte) (string, error) {
	if len(b) == 0 {
		return "", nil
	}
	n := c.aead.NonceSize()
	if len(b) < n {
		return "", errors.New("pii: ciphertext too short")
	}
	p, err := c.aead.Open(nil, b[:n], b[n:], nil)
	if err != nil {
		return "", errors.New("pii: cannot decrypt (wrong key or altered data)")
	}
	return string(p), nil
}

// Index returns a deterministic blind index of a value of kind k, for exact
// lookups ("find the case of this ID number") without decrypting every row.
func (c *Cipher) Index(k Kind, s string) string {
	s = Normalize(k, s)
	if s == "" {
		return ""
	}
	m := hmac.New(sm3.New, c.index)
	m.Write([]byte(string(k) + ":" + s))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Normalize removes spaces and dashes and upper-cases the ID check letter.
func Normalize(k Kind, s string) string {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u00a0' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if k == IDNumber {
		s = strings.ToUpper(s)
	}
	return s
}

// Mask hides the middle of a value: 420***********1234, 138****5678,
// 6222 **** 1234.
func Mask(k Kind, s string) string {
	s = Normalize(k, s)
	r := []rune(s)
	keep := func(head, tail int) string {
		if len(r) <= head+tail {
			return strings.Repeat("*", len(r))
		}
		return string(r[:head]) + strings.Repeat("*", len(r)-head-tail) + string(r[len(r)-tail:])
	}
	switch k {
	case IDNumber:
		return keep(3, 4)
	case Phone:
		if len(r) == 11 {
			return keep(3, 4)
		}
		return keep(3, 2)
	case BankAccount:
		return keep(4, 4)
	}
	return keep(1, 1)
}

var idWeights = []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// ValidIDNumber checks an 18-digit resident ID number (GB 11643-1999):
// digits, a plausible birth date and the ISO 7064 MOD 11-2 check character.
func ValidIDNumber(s string) error {
	s = Normalize(IDNumber, s)
	if len(s) != 18 {
		return errors.New("length")
	}
	sum := 0
	for i := range 17 {
		c := s[i]
		if c < '0' || c > '9' {
			return errors.New("digits")
		}
		sum += int(c-'0') * idWeights[i]
	}
	month := (s[10]-'0')*10 + s[11] - '0'
	day := (s[12]-'0')*10 + s[13] - '0'
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return errors.New("birth date")
	}
	if "10X98765432"[sum%11] != s[17] {
		return errors.New("check")
	}
	return nil
}

// ValidPhone accepts a mainland mobile number (11 digits starting 1[3-9]) or
// a landline with area code (0 + 9 to 11 digits in all).
func ValidPhone(s string) error {
	s = Normalize(Phone, s)
	s = strings.TrimPrefix(s, "+86")
	for _, c := range s {
		if c < '0' || c > '9' {
			return errors.New("digits")
		}
	}
	switch {
	case len(s) == 11 && s[0] == '1' && s[1] >= '3':
		return nil
	case s != "" && s[0] == '0' && len(s) >= 10 && len(s) <= 12:
		return nil
	}
	return errors.New("form")
}

// ValidBankAccount accepts 10 to 30 digits (corporate accounts have no
// universal check digit).
func ValidBankAccount(s string) error {
	s = Normalize(BankAccount, s)
	if len(s) < 10 || len(s) > 30 {
		return errors.New("length")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return errors.New("digits")
		}
	}
	return nil
}
