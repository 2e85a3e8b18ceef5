package open311

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
)

// The documents of GeoReport v2 are trees of ordered fields, written both
// as XML (the required format) and as JSON by the Spark convention: an
// element holding repeated children becomes an array, so <services> is a
// JSON array of service objects and <formats> an array of strings.

// field is one named value of an object.
type field struct {
	name string
	val  any // nil, string, bool, int, float64, object or list
}

// object is an element whose children are named fields, in order.
type object []field

// list is an element whose children repeat under one name.
type list struct {
	item  string
	items []any
}

// MarshalJSON writes the object's fields in their order.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.name)
		b.Write(k)
		b.WriteByte(':')
		v, err := marshalJSON(f.val)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// MarshalJSON writes the list as an array.
func (l list) MarshalJSON() ([]byte, error) {
	items := l.items
	if items == nil {
		items = []any{}
	}
	return marshalJSON(items)
}

func marshalJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

// writeXML writes v as the element name.
func writeXML(b *bytes.Buffer, name string, v any) {
	b.WriteByte('<')
	b.WriteString(name)
	b.WriteByte('>')
	switch x := v.(type) {
	case nil:
	case object:
		for _, f := range x {
			writeXML(b, f.name, f.val)
		}
	case list:
		for _, it := range x.items {
			writeXML(b, x.item, it)
		}
	case string:
		xml.EscapeText(b, []byte(x))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		b.WriteString(strconv.FormatFloat(x, 'f', -1, 64))
	}
	b.WriteString("</")
	b.WriteString(name)
	b.WriteByte('>')
}

// write answers with a document in the format asked for.
func write(w http.ResponseWriter, format string, status int, root string, v any) error {
	var body []byte
	if format == "json" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		var err error
		if body, err = marshalJSON(v); err != nil {
			return err
		}
	} else {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		var b bytes.Buffer
		b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
		writeXML(&b, root, v)
		body = b.Bytes()
	}
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}
