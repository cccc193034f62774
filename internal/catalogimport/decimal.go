package catalogimport

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// canonicalDecimal reads a number as shops' exports write it and returns it as digits with an
// optional "." and fraction ("1299.5"). Spaces and the currency signs € $ £ ¥ are dropped.
// With both "." and "," the last one is the decimal separator and the other groups
// thousands ("1,299.50", "1.299,50"); a lone "," is a decimal comma unless exactly three
// digits follow it ("1,299" is ambiguous and refused); several "." or "," of one kind are
// thousands groups.
func canonicalDecimal(s string) (string, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '€', '$', '£', '¥', '\'':
			return -1
		}
		return r
	}, s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return "", errors.New("is not a number")
	}
	dot, comma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	var intPart, frac string
	switch {
	case dot >= 0 && comma >= 0:
		sep, group := byte('.'), ","
		if comma > dot {
			sep, group = ',', "."
		}
		at := strings.LastIndexByte(s, sep)
		intPart, frac = strings.ReplaceAll(s[:at], group, ""), s[at+1:]
		if strings.IndexByte(intPart, sep) >= 0 {
			return "", errors.New("is not a number")
		}
	case comma >= 0 && strings.Count(s, ",") == 1:
		if len(s)-comma-1 == 3 {
			return "", fmt.Errorf("%q is ambiguous: write 1299 or 1.299 (a decimal point) instead", s)
		}
		intPart, frac = s[:comma], s[comma+1:]
	case comma >= 0:
		intPart = strings.ReplaceAll(s, ",", "")
	case strings.Count(s, ".") > 1:
		intPart = strings.ReplaceAll(s, ".", "")
	case dot >= 0:
		intPart, frac = s[:dot], s[dot+1:]
	default:
		intPart = s
	}
	if intPart == "" {
		intPart = "0"
	}
	if !allDigits(intPart) || !allDigits(frac) {
		return "", errors.New("is not a number")
	}
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// minorUnits converts a canonical decimal into an integer with scale decimals, refusing more
// decimals than scale and numbers beyond int64.
func minorUnits(dec string, scale int) (int64, error) {
	intPart, frac, _ := strings.Cut(dec, ".")
	if len(frac) > scale {
		return 0, fmt.Errorf("has %d decimals, the currency has %d", len(frac), scale)
	}
	frac += strings.Repeat("0", scale-len(frac))
	n, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil {
		return 0, errors.New("is out of range")
	}
	return n, nil
}
