package models

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// openRegular opens path for reading, refusing anything but a regular file. O_NONBLOCK keeps the open of a FIFO
// from waiting for a writer (it changes nothing for a regular file), and the check is made on the opened file, so
// that nothing can be put in the path's place between the check and the reads.
func openRegular(path string) (*os.File, fs.FileInfo, error) {
	file, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, openError(path, err)
	}
	info, err := file.Stat()
	if err == nil {
		err = notRegular(path, info)
	} else {
		err = errorf(path, "cannot read: %v", err)
	}
	if err != nil {
		file.Close()
		return nil, nil, err
	}
	return file, info, nil
}

// notRegular is the *Error for a file that is not a regular file, or nil.
func notRegular(path string, info fs.FileInfo) error {
	switch {
	case info.IsDir():
		return errorf(path, "is a directory, not a file")
	case !info.Mode().IsRegular():
		return errorf(path, "is not a regular file")
	}
	return nil
}

// ReadRegularFile reads the regular file at path, refusing anything else (a FIFO, a device such as /dev/zero) and
// a file of more than limit bytes, each with an *Error: bad input.
func ReadRegularFile(path string, limit int64) ([]byte, error) {
	file, _, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, limit+1))
	switch {
	case err != nil:
		return nil, errorf(path, "cannot read: %v", err)
	case int64(len(data)) > limit:
		return nil, errorf(path, "is larger than %d MiB, the most chimera reads of such a file", limit>>20)
	}
	return data, nil
}

func openError(path string, err error) *Error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return errorf(path, "no such file")
	case errors.Is(err, fs.ErrPermission):
		return errorf(path, "permission denied")
	}
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		err = pathErr.Err
	}
	return errorf(path, "cannot open: %v", err)
}
