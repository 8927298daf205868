# The shell itself: pipelines, redirections, here-documents, subshells, functions, traps, jobs.
square() { echo $(( $1 * $1 )); }
square 12
x=outer; ( x=inner; echo "in subshell $x" ); echo "after $x"
echo "to stderr" 1>&2
{ echo one; echo two; } > both.txt; cat both.txt
cat >> both.txt <<EOT
three $x
EOT
wc -l < both.txt
exec 3> fd3.txt; echo via-fd3 >&3; exec 3>&-; cat fd3.txt
for w in alpha beta gamma; do case $w in a*) echo "A $w";; *a) echo "ends-a $w";; esac; done
i=0; while [ $i -lt 3 ]; do i=$((i + 1)); done; echo "i=$i"
trap 'echo trapped USR1' USR1
kill -USR1 $$
echo "status of false: $(false; echo $?)"
( exit 3 ); echo "subshell exit $?"
sleep 0.2 & bg=$!
wait $bg; echo "waited $?"
sleep 5 & victim=$!
kill $victim; wait $victim; echo "killed status $?"
echo "$(echo nested $(echo deeper))"
set -- a b c; echo "$# args: $2"
read first rest <<EOT
alpha beta gamma
EOT
echo "$first / $rest"
echo ${HOME:-nohome} | wc -c > /dev/null && echo param-ok
