package ordjson

import "testing"

func TestObject(t *testing.T) {
	var o Object
	o.Set("Version", "2012-10-17")
	o.Set("Statement", []any{Object{{"Sid", "<a&b>"}, {"Effect", "Allow"}}})
	o.Set("Version", "2008-10-17") // replaced in place
	got, err := Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Version":"2008-10-17","Statement":[{"Sid":"<a&b>","Effect":"Allow"}]}`
	if string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if v, ok := o.Get("Version"); !ok || v != "2008-10-17" {
		t.Errorf("Get(Version) = %v, %v", v, ok)
	}
	if _, ok := o.Get("Id"); ok {
		t.Error("Get(Id) found a member that was never set")
	}
}
