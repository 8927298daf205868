# Text applets: each line of output depends only on the input written here.
printf 'banana\napple\ncherry\napple\n' > fruit
cat fruit | sort | uniq -c
sort -r fruit | head -n 2
tail -n 1 fruit
wc -l fruit; wc -c < fruit
tr 'a-z' 'A-Z' < fruit | tr -d '\n'; echo
cut -c1-3 fruit | paste -s -d,
seq 1 5 | rev
seq 10 -3 1 | xargs echo
printf '%05d|%-4s|%x\n' 42 ab 255
echo "a,b,c" | cut -d, -f2
expand -t 4 <<'T'
	x	y
T
od -A x -t x1 fruit | head -n 2
sort -t: -k2,2n <<'T'
b:2
a:10
c:1
T
nl fruit | tail -n 1
fold -w 3 <<'T'
abcdefgh
T
