# Small applets whose output depends only on their input.
basename /usr/lib/file.tar.gz .gz; dirname /usr/lib/file
expr 6 \* 7; expr length hello
true && echo true-ok; false || echo false-ok
yes kmos | head -n 3
date -u -d @86400 '+%Y-%m-%d %H:%M:%S'
echo $((0x10 + 010 + 1))
printf 'b\na\n' | sort | tee sorted.txt > /dev/null; cat sorted.txt
env -i FOO=bar env
uname -s
id -u > /dev/null && echo id-ok
test "$(echo abc | rev)" = cba && echo rev-ok
echo hello | od -c | head -n 1
printf '%s\n' 3 1 2 | sort -n | tail -n 1
seq 3 | tac
echo kmos | md5sum
printf 'a b  c\n' | tr -s ' ' | wc -w
