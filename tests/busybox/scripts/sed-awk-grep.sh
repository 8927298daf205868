# sed, awk and grep, on files made here.
printf 'one 1\ntwo 2\nthree 3\nfour 4\n' > nums
sed -n '2,3p' nums
sed 's/o/0/g; s/ [0-9]$/!/' nums
sed -e '1i\
header' -e '$a\
footer' nums
awk '{ s += $2 } END { print "sum", s, NR }' nums
awk -F' ' '$2 % 2 == 0 { printf "%s=%d\n", $1, $2 * 10 }' nums
awk 'BEGIN { for (i = 1; i <= 3; i++) printf "%d ", i * i; print "" }'
grep -n 't' nums
grep -c -v 'o' nums
grep -E '^(one|four)' nums
mkdir -p tree/a/b && echo needle > tree/a/b/f && echo hay > tree/a/g && echo needle2 > tree/h
grep -r needle tree | sort
grep -rl hay tree
echo "x=1;y=22" | sed -E 's/([a-z])=([0-9]+)/\2:\1/g'
