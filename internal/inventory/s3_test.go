package inventory

import "testing"

// TestBucketRegion: GetBucketLocation's answers and the regions they mean.
func TestBucketRegion(t *testing.T) {
	tests := []struct{ constraint, want string }{
		{"", "us-east-1"}, // null: the bucket is in us-east-1
		{"EU", "eu-west-1"},
		{"ap-northeast-1", "ap-northeast-1"},
		{"eu-central-1", "eu-central-1"},
	}
	for _, tt := range tests {
		if got := BucketRegion(tt.constraint); got != tt.want {
			t.Errorf("BucketRegion(%q) = %q, want %q", tt.constraint, got, tt.want)
		}
	}
}
