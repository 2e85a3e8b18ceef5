package place

import (
	"fmt"
	"math"
)

// The map is drawn on the server as inline SVG from the places' own
// coordinates: no tiles, no script. Over the few kilometres of a zone an
// equirectangular projection — longitude scaled by the cosine of the
// middle latitude — keeps distances true to well under one per cent, which
// is what a scale bar needs.

// metresPerDegree is the length of one degree of latitude (and of
// longitude at the equator), in metres.
const metresPerDegree = 111_320.0

// Map is a drawn map: the points in SVG coordinates and a scale bar.
type Map struct {
	Width, Height float64
	Points        []Point
	Scale         ScaleBar
	NorthX        float64 // where the north arrow stands
}

// Point is one place on the map.
type Point struct {
	X, Y  float64
	N     int // its number in the table below the map
	Place Place
}

// ScaleBar is a bar of a round length in metres.
type ScaleBar struct {
	X, Y, Length, EndX float64 // pixels
	Metres             float64
	Label              string
}

// Drawing constants, in pixels.
const (
	mapWidth  = 800.0
	maxHeight = 560.0
	margin    = 40.0
	minSpan   = 0.005 // degrees: a single place still gets a few hundred metres around it
)

// Draw projects places onto a map mapWidth pixels wide.
func Draw(places []Place) Map {
	m := Map{Width: mapWidth, Height: 200, NorthX: mapWidth - margin/2}
	if len(places) == 0 {
		return m
	}
	minLat, maxLat := places[0].Lat, places[0].Lat
	minLng, maxLng := places[0].Lng, places[0].Lng
	for _, p := range places {
		minLat, maxLat = math.Min(minLat, p.Lat), math.Max(maxLat, p.Lat)
		minLng, maxLng = math.Min(minLng, p.Lng), math.Max(maxLng, p.Lng)
	}
	k := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	spanX := math.Max((maxLng-minLng)*k, minSpan)
	spanY := math.Max(maxLat-minLat, minSpan)
	// Pixels per (scaled) degree: fit the width, unless that makes the map
	// taller than maxHeight.
	s := math.Min((mapWidth-2*margin)/spanX, (maxHeight-2*margin)/spanY)
	m.Height = math.Round(spanY*s + 2*margin)
	// Centre the drawing in either direction.
	cx := (minLng + maxLng) / 2 * k
	cy := (minLat + maxLat) / 2
	for i, p := range places {
		m.Points = append(m.Points, Point{
			X:     round1(mapWidth/2 + (p.Lng*k-cx)*s),
			Y:     round1(m.Height/2 - (p.Lat-cy)*s),
			N:     i + 1,
			Place: p,
		})
	}
	m.Scale = scaleBar(metresPerDegree/s, m.Height)
	return m
}

// scaleBar picks a round length (1, 2 or 5 × 10ⁿ metres) of at most a fifth
// of the map's width.
func scaleBar(metresPerPixel, height float64) ScaleBar {
	target := metresPerPixel * mapWidth / 5
	nice := math.Pow(10, math.Floor(math.Log10(target)))
	for _, f := range []float64{5, 2, 1} {
		if f*nice <= target {
			nice *= f
			break
		}
	}
	b := ScaleBar{X: margin / 2, Y: height - margin/2, Metres: nice, Length: round1(nice / metresPerPixel)}
	b.EndX = b.X + b.Length
	if nice >= 1000 {
		b.Label = fmt.Sprintf("%g km", nice/1000)
	} else {
		b.Label = fmt.Sprintf("%g m", nice)
	}
	return b
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
