"""Frequent function words per language, for the detector's word vote (greetings, thanks and
farewells for short input join them from chat_words.py).

Words shared by several languages count for each of them, so the lists need
not be disjoint: only the words that differ between close languages (nl/af/da,
no/da/sv, es/pt/gl/ca, id/ms, ru/bg/uk/sr/mk, ...) move the vote.
"""

from __future__ import annotations

from prompts.langid.chat_words import CHAT_WORDS

_WORDS: dict[str, str] = {
    # Germanic
    "en": "the of and to a in is it you that he was for on are with as i his they be at have this "
          "from or had by not but what all were we when your can there an which she do how their "
          "if will would my me our been has did does very please thanks thank yes ok okay hello "
          "hi just so some get got go there here now then than also because about out up who why "
          "where more only again still should could them these those it's i'm don't can't",
    "de": "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch "
          "es an werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über "
          "einen so zum war haben nur oder aber vor zur bis mehr durch man ich du wir ihr mich "
          "dir kein keine sehr heute habe bin bist mir uns euch",
    "nl": "de het een en van in is dat op te zijn voor met die niet aan er om ook als dan bij of "
          "maar nog wel naar uit ze zo wat door over ik je jij wij hij zij we heb hebt heeft kan "
          "kunnen wordt worden geen mijn hoe waar deze dit veel erg morgen vandaag wil graag "
          "alsjeblieft bedankt moeten willen kunnen zullen gaan hebben weer nu al toch echt even "
          "heel goed",
    "af": "die en van is in het 'n nie te wat op vir met dat sy hy ek jy ons hulle was sal kan om "
          "by aan as word uit maar ook nog baie my jou hier daar gaan moet wil gister môre vandag "
          "asseblief dankie",
    "da": "og i at det en den til er som på de med han af for ikke der var mig sig men et har om "
          "vi min havde ham hun nu over da fra du ud sin dem os op man hans hvor eller hvad skal "
          "selv her alle vil blev kunne ind når være noget ville jo deres efter ned skulle denne "
          "end dette mit også under have dig jeg meget nogle hjem bare lille lidt tak",
    "no": "og i det er en til på som de med han av for ikke der var meg seg men et har om vi min "
          "hadde ham hun nå over da fra du ut sin dem oss opp man kan hans hvor eller hva skal "
          "selv her alle vil ble kunne inn når være noe ville deres etter ned skulle denne enn "
          "dette mitt også under ha deg jeg hjem bare mye noen hvordan veldig ikkje eg liten lite "
          "litt takk min å",
    "sv": "och i att det som en på är av för med till den har de inte om ett han men var jag sig "
          "från vi så kan man när år hon under också efter eller nu sin där vid mot ska skulle "
          "kommer ut får finns vara hade alla andra mycket än här då sedan över bara in blir upp "
          "även vad få två vill ha många hur mig dig du vår idag liten lite lilla tack min",
    "is": "og að í á er sem til það ekki við um var með af en hann hún ég þú þeir þau eru verður "
          "vera hafa hefur sig fyrir frá eftir þegar svo líka mjög hér þar hvað hvernig bara mig "
          "mér þetta þessi eða nú fá takk mín minn",
    "lb": "an de den d' der dat ass net mat fir ze och si hien ech du mir dir hei do awer wéi vun "
          "op sinn huet",
    # Romance
    "fr": "de la le et les des en un du une que est pour qui dans par pas au sur ne se plus ce il "
          "sont avec elle je tu nous vous ils elles mais ou où son sa ses mon ma très bien aussi "
          "cette été être avoir fait l' d' j' c' qu' n' s' aujourd'hui",
    "es": "de la que el en y a los del se las por un para con no una su al lo como más pero sus "
          "le ya o fue este ha sí porque esta entre cuando muy sin sobre también me hasta hay "
          "donde quien desde todo nos yo él ella usted nosotros mi tu te está estoy es son hoy "
          "mañana",
    "pt": "de a o que e do da em um para é com não uma os no se na por mais as dos como mas foi "
          "ao ele das tem à seu sua ou ser quando muito há nos já está eu também só pelo pela até "
          "isso ela entre era depois sem mesmo aos ter você estou hoje amanhã",
    "gl": "de a o que e do da en un para é con non unha os no se na por máis as dos como pero foi "
          "ao el das ten á seu súa ou ser cando moi hai nos xa está eu tamén só polo pola ata iso "
          "ela entre era despois sen mesmo aos ter vostede estou hoxe mañá imos vén hoxe moito "
          "coma grazas",
    "ca": "de la i el a que en els les per un del una amb no es al com és més però ha va hi ho "
          "seu seva ser molt també jo tu ell ella nosaltres aquest aquesta això on quan perquè "
          "tot són dels pels fer l' d' s' avui demà",
    "it": "di e il la che in a per un è del non una con sono da i le si al lo dei come ma più ha "
          "nel della anche se gli questo ci io tu lui lei noi voi loro molto sul alla delle "
          "essere fatto quando dove perché mi ti l' un' dell' oggi domani",
    "ro": "și de la în a cu nu o pe ce un care să este din se mai au dar pentru ca sunt fost el "
          "ea eu tu noi voi ei ele acest această foarte cum unde când sau am ai are fi poate azi "
          "mâine",
    "oc": "de la e lo los las en que es un una per amb pas son sa mai tanben aquò ont quand èra",
    "ast": "de la y el en que los les un una pa con nun ye tamién pero cuando mui esti esta",
    # Other Europe
    "sq": "dhe në të një është për me nga që nuk se ka do si por më ai ajo ne ju ata unë ti shumë",
    "hu": "a az és hogy nem is egy van meg de csak el ez már mint még ki mi azt volt vagy ha én "
          "te ő ti ők nagyon lesz itt ott most vagyok",
    "fi": "ja on ei se että oli hän ovat mutta kun niin myös tai jos kuin olen olet olemme ole "
          "mitä tämä tuo minä sinä me te he hyvin vain nyt vielä jo sitten siellä täällä kanssa "
          "kiitos minun",
    "et": "ja on ei see et oli ta nad aga kui nii ka või kas olen oled oleme ole mida too mina "
          "sina meie teie nemad väga ainult nüüd veel juba siis seal siin koos ma sa me te palun "
          "aitäh mu",
    "lt": "ir yra kad į su iš ne bet o tai kaip jis ji mes jūs jie aš tu buvo bus labai dar jau "
          "tik ar kur kas šis ši nuo apie per",
    "lv": "un ir ka uz ar no par bet tas tā kā viņš viņa mēs jūs viņi es tu bija būs ļoti vēl jau "
          "tikai vai kur kas šis šī pie pa",
    "pl": "i w nie na się z do to że jest co a o jak ale po tak za od jego czy już tylko ja ty on "
          "ona my wy oni ten ta są był była było może przez dla bardzo mnie mi być jestem",
    "cs": "a v se na je že to s z do o k i jako ale by jsem jsi jsme jste jsou byl byla bylo pro "
          "za po tak jak už jen co který která které ten ta tento tato já ty on ona my vy oni "
          "není bude mi mě velmi také",
    "sk": "a v sa na je že to s z do o k i ako ale by som si sme ste sú bol bola bolo pre za po "
          "tak už len čo ktorý ktorá ktoré ten tá tento táto ja ty on ona my vy oni nie bude mi "
          "ma veľmi aj tiež",
    "sl": "in je v se na da za z so ki pa ne ali to s po bi sem si smo ste bil bila bilo tudi kot "
          "še že ko pri od iz jaz ti on ona mi vi oni zelo lahko samo kaj bi prosim hvala",
    "hr": "i je u se na da za s su a ne to od do ali kao što koji koja koje bi sam si smo ste bio "
          "bila bilo ja ti on ona mi vi oni vrlo samo još već kad gdje ovdje tko može bih molim "
          "hvala",
    "bs": "i je u se na da za s su a ne to od do ali kao šta koji koja koje bi sam si smo ste bio "
          "bila bilo ja ti on ona mi vi oni vrlo samo još već kad gdje ovdje ko može bih molim "
          "hvala",
    "sr-Latn": "i je u se na da za s su a ne to od do ali kao šta koji koja koje bi sam si smo "
               "ste bio bila bilo ja ti on ona mi vi oni veoma samo još već kad gde ovde ko može "
               "bih molim hvala",
    "cy": "y yr a ac i o yn mae ei eu ar am ond fel hefyd roedd bod wedi gyda dw chi ni nhw ydy "
          "oedd",
    "ga": "an na agus is ar le go a ag i ní bhí tá sé sí mé tú muid sibh siad seo sin ach freisin",
    "mt": "il u li ta' ma ta fil minn għal jien int hu hi aħna intom huma dan din kien kienet",
    # Turkic, Malay world, Africa
    "tr": "ve bir bu da de için ile çok ne ben sen o biz siz onlar değil gibi daha en var yok "
          "olarak ama kadar sonra mi mı mu mü şey her ya",
    "az": "və bir bu da də üçün ilə çox nə mən sən o biz siz onlar deyil kimi daha ən var yox "
          "olaraq amma qədər sonra mi mı şey hər ya",
    "uz": "va bir bu ham uchun bilan juda nima men sen u biz siz ular emas kabi yana eng bor "
          "sifatida lekin qadar keyin har yoki edi bu yerda iltimos rahmat kerak yaxshi qanday "
          "hozir bugun ertaga men",
    "id": "yang dan di ini itu dengan untuk tidak dari dalam akan pada juga saya ke karena bisa "
          "ada mereka kita kami anda atau sudah telah oleh jika seperti bahwa lebih hanya apa "
          "sangat banyak harus masih belum kalau tapi tetapi sekarang mau saja dia kamu aku besok "
          "terima kasih apakah sore nanti depan aja banget nggak enggak gak gimana",
    "ms": "yang dan di ini itu dengan untuk tidak dari dalam akan pada juga saya ke kerana boleh "
          "ada mereka kita kami anda atau sudah telah oleh jika seperti bahawa lebih hanya apa "
          "sangat banyak harus masih belum kalau tetapi sekarang mahu sahaja dia awak aku ialah "
          "daripada kepada bagi amat tak cuba esok terima kasih adakah petang patut hadapan "
          "hendak",
    "mg": "ny sy dia ary fa tsy amin' amin'ny ho an'ny izy aho ianao izahay isika ireo izany io "
          "ity no koa mba raha satria na nefa tao ao eto any efa mbola tena be ve azafady "
          "misaotra inona aiza iray",
    "tl": "ang ng sa na mga at ay si ko ka ako ikaw siya kami tayo sila hindi para may ito iyan "
          "iyon kung pero din rin lang po",
    "sw": "na ya wa kwa ni katika la za kuwa hiyo hii yeye wao sisi mimi wewe lakini pia sana "
          "kama au",
    "so": "iyo ka ku waa oo ah u in ay ee uu si la aan ma haa ayaa",
    "ha": "da na ta a ba ya ce shi ita ni kai mu su wannan sun za ga",
    # Cyrillic
    "ru": "и в не на я что он с как а то все она так его но да ты к у же вы за бы по только ее "
          "мне было вот от меня еще нет о из ему когда даже ли если уже или быть был до вас там "
          "где есть надо для мы тебя их чем была будет тоже кто этот это очень сегодня можно об "
          "этом этого эти всё вообще просто потом сейчас свой своё без через после про хотел хочу "
          "пожалуйста спасибо хорошо",
    "bg": "и в на е да се не за с от че са по като то към но това ще го си ли а който която което "
          "които беше съм сме сте той тя ние вие те аз ти много има няма още само вече тук там "
          "какво как кога защо днес утре мога бих моля благодаря искам добре",
    "uk": "і в на не що з у я до це та як він а за але по так ти його її ми ви вони від бути був "
          "була було є буде або щоб коли де тут там дуже також ще вже тільки мене мені тебе "
          "сьогодні будь ласка дякую хочу",
    "be": "і ў на не што з я да гэта як ён а за але па так ты яго яе мы вы яны ад быць быў была "
          "было ёсць будзе або каб калі дзе тут там вельмі таксама яшчэ ўжо толькі мяне мне",
    "sr": "и у је да се на за не са од су као то али а што шта који која које бити био била било "
          "сам си смо сте ја ти он она ми ви они веома много још већ само када где овде хвала ће "
          "бих молим вас их га",
    "mk": "и во на е да се не за со од како тоа но а што кој која кое беше сум си сме сте јас ти "
          "тој таа ние вие тие многу уште веќе само кога каде тука ќе би ве молам благодарам "
          "сакам ги го ја му",
    "kk": "және бұл мен да де деп үшін бар жоқ емес еді болып болды осы сол ол біз сіз олар сен "
          "өте бірақ немесе тағы қазір мұнда бір маған саған оның ол екен не қандай керек бүгін "
          "ертең",
    "ky": "жана бул менен да деп үчүн бар жок эмес эле болуп болду ошол ал биз силер алар мен сен "
          "абдан бирок же дагы азыр бүгүн бир мага сага анын экен эмне кандай керек эртең рахмат",
    "tg": "ва дар бо аз ки ба ин он барои ҳам як аст буд мо шумо онҳо ман ту хеле аммо ё низ",
    "mn": "нь ба юм энэ тэр бол байна байсан гэж болон ч би чи бид та тэд маш гэхдээ эсвэл бас "
          "одоо",
    # Devanagari
    "hi": "है हैं का की के में और यह से को नहीं था थी थे पर भी एक हो कि जो लिए मैं आप तुम हम वह "
          "वे क्या कर रहा रही बहुत आज",
    "mr": "आहे आहेत आणि हे ते की या ला मी तू आम्ही तुम्ही तो ती होते होता होती नाही पण एक खूप काय "
          "कसे आज मला",
    "ne": "छ छन् र हो को मा ले यो त्यो म तिमी हामी उनी थियो थिए गर्न भएको पनि एक के कसरी धेरै आज "
          "हुन्छ मलाई",
    # Arabic script
    "ar": "في من على إلى أن هذا هذه التي الذي ما لا عن مع كان هو هي قد ثم كل لم لن هل أنا نحن",
    "fa": "و در به از که این را با است برای آن یک خود تا کرد بر هم نیز شده می ها من ما شما نه",
    "ur": "ہے کے کی میں اور سے کو نہیں یہ وہ ہیں تھا پر بھی ایک کہ ہم آپ میرا",
    "ps": "د او په چې دا له ته هم دې یو کې زه موږ تاسو",
    "ckb": "و لە بە کە ئەم ئەو من تۆ ئێمە ئێوە بۆ لەگەڵ",
}

# word -> languages whose list (function words or chat words) has it
WORD_LANGUAGES: dict[str, tuple[str, ...]] = {}
for _key, _text in [*_WORDS.items(), *CHAT_WORDS.items()]:
    _lang = _key.split("-")[0]  # "sr-Latn" adds to "sr"
    for _word in set(_text.split()):
        if _lang not in WORD_LANGUAGES.get(_word, ()):
            WORD_LANGUAGES[_word] = WORD_LANGUAGES.get(_word, ()) + (_lang,)
del _key, _lang, _text, _word
