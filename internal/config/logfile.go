package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Defaults and bounds of the log file's rotation (POS_LOG_FILE_MAX_*).
const (
	DefaultLogFileMaxSizeMB  = 100
	DefaultLogFileMaxAgeDays = 28
	DefaultLogFileMaxBackups = 10
	// MaxLogFileMaxSizeMB bounds POS_LOG_FILE_MAX_SIZE_MB (10 GiB).
	MaxLogFileMaxSizeMB = 10_240
	// MaxLogFileMaxAgeDays bounds POS_LOG_FILE_MAX_AGE_DAYS (ten years).
	MaxLogFileMaxAgeDays = 3650
	// MaxLogFileMaxBackups bounds POS_LOG_FILE_MAX_BACKUPS.
	MaxLogFileMaxBackups = 1000
)

// LogFile configures the optional log file posd writes besides stdout (POS_LOG_FILE). The
// file is rotated when it reaches MaxSizeMB; rotated files older than MaxAgeDays, and beyond
// the newest MaxBackups, are removed.
type LogFile struct {
	// Path is the file; empty (the default) logs to stdout only.
	Path string
	// MaxSizeMB is the size, in megabytes, at which the file is rotated.
	MaxSizeMB int
	// MaxAgeDays is how many days rotated files are kept; 0 keeps them whatever their age.
	MaxAgeDays int
	// MaxBackups is how many rotated files are kept; 0 keeps them all (within MaxAgeDays).
	MaxBackups int
}

// defaultLogFile returns the log file settings with no file and the default rotation.
func defaultLogFile() LogFile {
	return LogFile{
		MaxSizeMB:  DefaultLogFileMaxSizeMB,
		MaxAgeDays: DefaultLogFileMaxAgeDays,
		MaxBackups: DefaultLogFileMaxBackups,
	}
}

// logFileFromEnv applies the POS_LOG_FILE* variables that are set to lf, returning the
// problems of values that are not whole numbers.
func logFileFromEnv(lookup LookupFunc, lf *LogFile) []error {
	var problems []error
	if v, ok := lookup("POS_LOG_FILE"); ok {
		lf.Path = strings.TrimSpace(v)
	}
	for _, n := range []struct {
		name, unit string
		dst        *int
	}{
		{"POS_LOG_FILE_MAX_SIZE_MB", "megabytes", &lf.MaxSizeMB},
		{"POS_LOG_FILE_MAX_AGE_DAYS", "days", &lf.MaxAgeDays},
		{"POS_LOG_FILE_MAX_BACKUPS", "files", &lf.MaxBackups},
	} {
		v, ok := lookup(n.name)
		if !ok {
			continue
		}
		i, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %q is not a whole number of %s", n.name, v, n.unit))
			continue
		}
		*n.dst = i
	}
	return problems
}

// validate reports the problems of the log file settings, each naming its variable.
func (lf LogFile) validate() []error {
	var problems []error
	if strings.ContainsRune(lf.Path, 0) || strings.HasSuffix(lf.Path, "/") {
		problems = append(problems, fmt.Errorf("POS_LOG_FILE: %q is not a file path", lf.Path))
	}
	if lf.MaxSizeMB < 1 || lf.MaxSizeMB > MaxLogFileMaxSizeMB {
		problems = append(problems, fmt.Errorf("POS_LOG_FILE_MAX_SIZE_MB: %d is not between 1 and %d", lf.MaxSizeMB, MaxLogFileMaxSizeMB))
	}
	if lf.MaxAgeDays < 0 || lf.MaxAgeDays > MaxLogFileMaxAgeDays {
		problems = append(problems, fmt.Errorf("POS_LOG_FILE_MAX_AGE_DAYS: %d is not between 0 (keep) and %d", lf.MaxAgeDays, MaxLogFileMaxAgeDays))
	}
	if lf.MaxBackups < 0 || lf.MaxBackups > MaxLogFileMaxBackups {
		problems = append(problems, fmt.Errorf("POS_LOG_FILE_MAX_BACKUPS: %d is not between 0 (keep all) and %d", lf.MaxBackups, MaxLogFileMaxBackups))
	}
	return problems
}
