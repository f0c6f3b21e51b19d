/* Tally analytics tracker: no cookies, no storage, no fingerprinting. */
(function(w,d){"use strict";
if(w.tally&&w.tally.l)return;
var l=w.location,n=w.navigator,h=w.history,s=d.currentScript,
a=function(k){return s&&s.getAttribute("data-"+k)},
dm=a("domain"),
api=a("api")||s&&new URL("/api/event",s.src||l.href).href,
q=w.tally&&w.tally.q||[],last,i,p;
function off(){
try{if(w.localStorage.tally_ignore=="true")return 1}catch(e){}
return!dm||n.webdriver||l.protocol=="file:"||
/^(localhost|127\.0\.0\.1|\[::1\])$/.test(l.hostname)&&a("allow-localhost")==null}
function t(e,o){
o=o||{};var c=function(){o.callback&&o.callback()},b;
if(off())return c();
b={n:e,u:l.href,d:dm,r:d.referrer||null};if(o.props)b.p=o.props;b=JSON.stringify(b);
if(n.sendBeacon&&n.sendBeacon(api,new Blob([b],{type:"text/plain"})))return c();
fetch(api,{method:"POST",body:b,keepalive:!0,headers:{"Content-Type":"text/plain"}}).then(c,c)}
function pv(){if(last!=l.pathname){last=l.pathname;t("pageview")}}
t.l=1;w.tally=t;
if(p=h.pushState){h.pushState=function(){p.apply(this,arguments);pv()};w.addEventListener("popstate",pv)}
d.prerendering?d.addEventListener("prerenderingchange",pv,{once:!0}):pv();
for(i=0;i<q.length;i++)t.apply(0,q[i])
})(window,document);
