package pii

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func testCipher(t *testing.T) *Cipher {
	c, err := NewCipher(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSealOpen(t *testing.T) {
	c := testCipher(t)
	ct := c.Seal("13812345678")
	if bytes.Contains(ct, []byte("1381234")) {
		t.Fatal("ciphertext contains the plain text")
	}
	if bytes.Equal(ct, c.Seal("13812345678")) {
		t.Fatal("two seals of one value are equal: the nonce is not random")
	}
	got, err := c.Open(ct)
	if err != nil || got != "13812345678" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	ct[len(ct)-1] ^= 1
	if _, err := c.Open(ct); err == nil {
		t.Fatal("altered ciphertext opened")
	}
	other, _ := NewCipher(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(c.Seal("x")); err == nil {
		t.Fatal("opened with the wrong key")
	}
}

func TestIndexIsStableAndNormalised(t *testing.T) {
	c := testCipher(t)
	a := c.Index(IDNumber, "42020319900101123x")
	if a == "" || a != c.Index(IDNumber, " 420203 19900101 123X") {
		t.Fatal("index differs for the same ID number written differently")
	}
	if a == c.Index(Phone, "42020319900101123X") {
		t.Fatal("index ignores the kind")
	}
}

func TestMask(t *testing.T) {
	for _, tc := range []struct {
		k    Kind
		in   string
		want string
	}{
		{IDNumber, "420203199001011234", "420***********1234"},
		{Phone, "13812345678", "138****5678"},
		{BankAccount, "6222021234567891234", "6222***********1234"},
		{Phone, "07146388888", "138****5678"[:0] + "071****8888"},
	} {
		if got := Mask(tc.k, tc.in); got != tc.want {
			t.Errorf("Mask(%s, %s) = %s, want %s", tc.k, tc.in, got, tc.want)
		}
	}
}

func TestValidators(t *testing.T) {
	// 11010519491231002X is the standard's own example.
	if err := ValidIDNumber("11010519491231002X"); err != nil {
		t.Errorf("valid ID rejected: %v", err)
	}
	if err := ValidIDNumber("110105194912310021"); err == nil {
		t.Error("wrong check character accepted")
	}
	if err := ValidIDNumber("11010519491331002X"); err == nil {
		t.Error("month 13 accepted")
	}
	for _, p := range []string{"13812345678", "0714-6388888", "+8613812345678"} {
		if err := ValidPhone(p); err != nil {
			t.Errorf("ValidPhone(%s) = %v", p, err)
		}
	}
	for _, p := range []string{"12812345678", "1381234567", "abc"} {
		if err := ValidPhone(p); err == nil {
			t.Errorf("ValidPhone(%s) accepted", p)
		}
	}
}

func TestLoadKeyCreatesFileOnce(t *testing.T) {
	dir := t.TempDir()
	noenv := func(string) string { return "" }
	k1, err := LoadKey(noenv, dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, mode %v", err, st.Mode())
	}
	k2, _ := LoadKey(noenv, dir)
	if !bytes.Equal(k1, k2) {
		t.Fatal("the key changed between starts")
	}
	env := func(string) string { return strings.Repeat("ab", 32) }
	k3, err := LoadKey(env, dir)
	if err != nil || k3[0] != 0xab {
		t.Fatalf("XIAOER_KEY ignored: %v", err)
	}
	if _, err := LoadKey(func(string) string { return "short" }, dir); err == nil {
		t.Fatal("a short key accepted")
	}
}
